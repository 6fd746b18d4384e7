"""Prints the current two-factor code of the demo staff (development only):  make otp"""
import sys
from pathlib import Path

import pyotp

from services.common import config


def main():
    path = Path(config.var_dir()) / "demo-mfa-secret"
    if not path.exists():
        print("No demo secret yet: run `make run` first.", file=sys.stderr)
        return 1
    totp = pyotp.TOTP(path.read_text().strip())
    print(f"{totp.now()}   (valid for about {totp.interval - int(__import__('time').time()) % totp.interval} s more)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
