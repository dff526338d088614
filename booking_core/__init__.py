"""The booking core: the territory, its bookings and the rules, free of chat and language."""
