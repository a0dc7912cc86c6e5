"""Creates the file named by its argument: proof that a fixture process ran."""
import pathlib
import sys

pathlib.Path(sys.argv[1]).write_text("ran\n")
