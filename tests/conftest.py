# Lets tests under tests/ import the harness as a plain module.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "integration"))

pytest_plugins = ["integration_fixtures"]
