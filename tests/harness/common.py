# SPDX-License-Identifier: GPL-2.0
"""What the harness tests share: the scripts on sys.path, the fixtures."""
import contextlib
import io
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
FIXTURES = os.path.join(HERE, 'fixtures')
sys.path.insert(0, os.path.join(ROOT, 'scripts'))


def fixture_path(name):
    return os.path.join(FIXTURES, name)


def fixture(name):
    with open(fixture_path(name), errors='replace') as f:
        return f.read()


def printed(fn, *args):
    """(what fn(*args) returned, the lines it printed)."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        ret = fn(*args)
    return ret, out.getvalue().splitlines()
