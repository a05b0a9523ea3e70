import pathlib
import sys

# The package lives in scripts/; tests run from the repo root or anywhere.
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
