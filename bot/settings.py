"""The bot's configuration, from environment variables (or a `.env` file).

Secrets are ``SecretStr``: they print as ``**********`` in logs, reprs and errors, so a
token can only leave the process towards the network it belongs to.
"""

from __future__ import annotations

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    database_url: str | None = None
    telecentre_network: str | None = None

    # Telegram: long polling unless a public webhook URL is given.
    telegram_token: SecretStr | None = None
    telegram_webhook_url: str | None = None
    telegram_webhook_secret: SecretStr | None = None
    telegram_webhook_listen: str = "0.0.0.0"
    telegram_webhook_port: int = Field(default=8443, ge=1, le=65535)
    telegram_base_url: str | None = None  # tests point the real stack at a local server

    # Matrix: an access token, or a password to log in with.
    matrix_homeserver: str | None = None
    matrix_user: str | None = None
    matrix_password: SecretStr | None = None
    matrix_access_token: SecretStr | None = None
    matrix_device_id: str | None = None
    matrix_allowed: str = ""  # comma-separated @user:server or :server entries; closed if empty
    matrix_store: str | None = None  # where the sync token is kept between runs

    @property
    def telegram_enabled(self) -> bool:
        return self.telegram_token is not None and bool(self.telegram_token.get_secret_value())

    @property
    def matrix_enabled(self) -> bool:
        return bool(self.matrix_homeserver and self.matrix_user) and (
            self.matrix_password is not None or self.matrix_access_token is not None
        )

    @property
    def matrix_allow_list(self) -> tuple[str, ...]:
        return tuple(item.strip() for item in self.matrix_allowed.split(",") if item.strip())
