"""How long `bdsmarket demo --no-serve` takes to load the reference program into SQLite.

Limit: 60 s on the project's two-core machine ("make demo is ready in under a minute").
Prints the measured time and its ratio to the limit; exits 1 when over the limit.
"""

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT_SECONDS = 60.0
BIN = Path(sys.executable).parent


def main() -> int:
    with tempfile.TemporaryDirectory() as data_dir:
        environment = {**os.environ, "BDSMARKET_DATA_DIR": data_dir}
        environment.pop("DATABASE_URL", None)
        started = time.perf_counter()
        subprocess.run(
            [str(BIN / "bdsmarket"), "demo", "--no-serve"],
            env=environment,
            check=True,
            capture_output=True,
        )
        elapsed = time.perf_counter() - started
    ratio = elapsed / LIMIT_SECONDS
    print(f"demo load: {elapsed:.1f} s, {ratio:.2f}x of the {LIMIT_SECONDS:.0f} s limit")
    return 0 if ratio <= 1 else 1


if __name__ == "__main__":
    sys.exit(main())
