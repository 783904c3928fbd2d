#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The tests of the harness's own Python (scripts/*.py), on the fixture
logs of tests/harness/fixtures/; no kernel is built or booted, but the
kernel tree (build/linux, or $KSRC) must be there for its KTAP parser.

One line per test, "PASS harness/<module>/<test>" or "FAIL ...", as every
stage of make test prints them; exit status 1 if any failed.
    tests/harness/run.py [PATTERN]     (e.g. test_scenario)
"""
import os
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))


class LineResult(unittest.TestResult):
    """A PASS/FAIL line per test, the traceback of a failure below it."""

    def _name(self, test):
        module, cls, method = test.id().split('.')[:3]
        return f'harness/{module}/{cls}.{method}'

    def addSuccess(self, test):
        super().addSuccess(test)
        print(f'PASS {self._name(test)}', flush=True)

    def _bad(self, test, err, kind, name=None):
        lines = self._exc_info_to_string(err, test).rstrip().splitlines()
        what = next((line for line in lines
                     if not line.startswith((' ', 'Traceback'))), lines[-1])
        print(f'FAIL {name or self._name(test)} {kind}: {what}', flush=True)
        for line in lines:
            print(f'# {line}')

    def addFailure(self, test, err):
        super().addFailure(test, err)
        self._bad(test, err, 'failed')

    def addError(self, test, err):
        super().addError(test, err)
        self._bad(test, err, 'error')

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self._bad(test, err, 'failed', self._name(test) + ' ' +
                      subtest._subDescription())

    def addSkip(self, test, reason):
        super().addSkip(test, reason)
        print(f'FAIL {self._name(test)} skipped: {reason}', flush=True)


def main():
    pattern = sys.argv[1] if len(sys.argv) > 1 else 'test_*'
    if not pattern.endswith('.py'):
        pattern += '*.py'
    suite = unittest.defaultTestLoader.discover(HERE, pattern=pattern,
                                                top_level_dir=HERE)
    result = LineResult()
    suite.run(result)
    if not result.testsRun:
        print(f'FAIL harness/run no test matches {pattern}')
        return 1
    return 0 if result.wasSuccessful() and not result.skipped else 1


if __name__ == '__main__':
    sys.exit(main())
