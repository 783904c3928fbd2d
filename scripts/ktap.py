# SPDX-License-Identifier: GPL-2.0
"""KUnit results as the kernel's own KTAP parser reads them.

The console of a boot is handed to tools/testing/kunit/kunit_parser.py of
the kernel tree ($KSRC, else build/linux), the parser kunit.py itself uses;
this module only sorts the parser's Test tree by suite for the judges
(scripts/kunit_suites.py, scripts/scenario.py).  Nothing here reads KTAP.
"""
import io
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

_kp = None


def kernel_parser():
    """The kernel's kunit_parser module, imported once."""
    global _kp
    if _kp is None:
        ksrc = os.environ.get('KSRC') or os.path.join(ROOT, 'build', 'linux')
        tools = os.path.join(ksrc, 'tools', 'testing', 'kunit')
        if not os.path.isfile(os.path.join(tools, 'kunit_parser.py')):
            raise SystemExit(f'no kunit_parser.py in {tools}: make tree first')
        sys.path.insert(0, tools)
        import kunit_parser  # noqa: E402
        _kp = kunit_parser
    return _kp


class Result:
    """One console, parsed.

    suites: {suite name: [Test, ...]}, one Test per time the suite ran, in
        the order they ran; the parser names '' the suites a plan announced
        but that never printed (the kernel crashed or hung before them).
    errors: the parser's complaints about the run itself (its "main" test):
        no KTAP at all, suites of the plan missing...
    skips: {test name: reason} from the kernel's "# SKIP reason".
    """

    def __init__(self):
        self.suites = {}
        self.errors = []
        self.skips = {}


def _errors(printed, name):
    """The parser's "[ERROR] Test: NAME: message" lines, as messages."""
    tag = f'[ERROR] Test: {name}: '
    return [line.split(tag, 1)[1] for line in printed.splitlines()
            if tag in line]


def parse(text):
    """Parses every KTAP run in @text (a whole console) into a Result."""
    kp = kernel_parser()
    import kunit_printer  # noqa: E402
    lines = text.splitlines()
    result = Result()
    for line in kp.extract_tap_lines(lines):
        m = kp.TEST_RESULT_SKIP.match(line)
        if m:
            result.skips.setdefault(m.group(4).strip(), m.group(5).strip())

    printed = io.StringIO()
    saved, kp.stdout = kp.stdout, kunit_printer.Printer(printed)
    try:
        stream = kp.extract_tap_lines(lines)
        runs = []
        while stream:
            before = stream.line_number()
            runs.append(kp.parse_test(stream, 0, [], False))
            if stream and stream.line_number() == before:
                stream.pop()
    finally:
        kp.stdout = saved
    # Once the plan's suites have run the parser returns; what follows (the
    # rest of the boot) parses as runs of no suite, which are not runs.
    runs = [run for run in runs if run.subtests]
    if not runs:
        result.errors.append('could not find any KTAP output')
    elif any(run.counts.errors > sum(s.counts.errors for s in run.subtests)
             for run in runs):
        result.errors += _errors(printed.getvalue(), 'main')
    for run in runs:
        for suite in run.subtests:
            result.suites.setdefault(suite.name, []).append(suite)
    return result


def cases(test):
    """The test cases of @test (the leaves: parameters of a parameterised
    case count one each)."""
    if not test.subtests:
        yield test
    for sub in test.subtests:
        yield from cases(sub)


def passed(test):
    return test.status == kernel_parser().TestStatus.SUCCESS


def outcome(runs):
    """'pass', 'skip', 'fail', 'crash', 'no-tests', 'ktap-error' or
    'N-runs' for the runs of one suite; None if it did not run."""
    if not runs:
        return None
    if len(runs) > 1:
        return f'{len(runs)}-runs'
    test, status = runs[0], kernel_parser().TestStatus
    if test.counts.errors and test.status in (status.SUCCESS, status.SKIPPED):
        return 'ktap-error'
    return {status.SUCCESS: 'pass', status.SKIPPED: 'skip',
            status.FAILURE: 'fail', status.TEST_CRASHED: 'crash',
            status.NO_TESTS: 'no-tests'}.get(test.status, 'ktap-error')
