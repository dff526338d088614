"""One module per chat network; each turns its events into IncomingMessage and back."""
