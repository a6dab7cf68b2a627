"""The ground truth the scripts read by default: corpus/ and seeds/ from the
repository's testdata/shared tarball, unpacked by scripts/unpack-testdata.sh
($POLYAXON_SHARED names another such directory, such as ../shared)."""

import os
import subprocess

SCRIPTS = os.path.dirname(os.path.abspath(__file__))


def shared(name):
    """The directory `name` (corpus or seeds) of the unpacked ground truth."""
    out = subprocess.run([os.path.join(SCRIPTS, "unpack-testdata.sh")], check=True, capture_output=True, text=True)
    return os.path.join(out.stdout.strip(), name)
