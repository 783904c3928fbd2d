#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judges a KUnit console: one PASS/FAIL line per suite.

usage: kunit_suites.py ARCH KERNEL_LOG SUITES_FILE KUNIT_EXIT_CODE LOG
KERNEL_LOG is the console kunit.py saved (build/<arch>/test.log); the
kernel's own KTAP parser reads it (scripts/ktap.py).  SUITES_FILE lists
"suite [arch ...]" per line; a suite with no arch is expected on every arch.
A listed suite that is missing, ran more than once, crashed, failed or
skipped a case is a failure; an unlisted suite fails only by failing or
running twice; a run whose plan announced suites that never printed (a
crash or a hang) fails.  The console must also hold no kernel complaint
(lockdep, WARN, BUG...), judged as the scenarios judge theirs, except the
warnings that tests provoke on purpose: tests/kunit/expected-warnings.txt
names the function of each, which must warn exactly once.
"""
import re
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ktap  # noqa: E402
from scenario import LOG_PROBLEMS  # noqa: E402


def expected_suites(path, arch):
    suites = []
    with open(path) as f:
        for line in f:
            words = line.split('#')[0].split()
            if words and (len(words) == 1 or arch in words[1:]):
                suites.append(words[0])
    return suites


WARN_START = re.compile(r'-+\[ cut here \]-+')
WARN_AT = re.compile(r'WARNING: .* at \S+ ([A-Za-z0-9_.]+)\+0x')
WARN_END = re.compile(r'---\[ end trace ')


def expected_warnings(path):
    try:
        with open(path) as f:
            return {line.split()[0] for line in f
                    if line.strip() and not line.startswith('#')}
    except OSError:
        return set()


def drop_expected(lines, expected):
    """The console without the expected warnings; counts them by function."""
    kept, seen, i = [], {}, 0
    while i < len(lines):
        if WARN_START.search(lines[i]) and i + 1 < len(lines):
            m = WARN_AT.search(lines[i + 1])
            if m and m.group(1) in expected:
                seen[m.group(1)] = seen.get(m.group(1), 0) + 1
                while i < len(lines) and not WARN_END.search(lines[i]):
                    i += 1
                i += 1
                continue
        kept.append(lines[i])
        i += 1
    return kept, seen


def clean_log(arch, lines, expected):
    """One PASS/FAIL line for the kernel's console; returns 1 on FAIL."""
    lines, seen = drop_expected(lines, expected)
    problems = [l.strip() for l in lines if LOG_PROBLEMS.search(l)]
    problems += [f'{fn} warned {seen.get(fn, 0)} times, not once'
                 for fn in sorted(expected) if seen.get(fn, 0) != 1]
    if problems:
        print(f'FAIL kunit/{arch}/clean-log {"; ".join(problems[:3])}')
        return 1
    print(f'PASS kunit/{arch}/clean-log {len(lines)} lines, no kernel '
          f'complaint, {len(seen)} expected warnings')
    return 0


def judge_suites(arch, result, listed, log):
    """The suites' lines; returns the number of FAIL lines."""
    failed = 0
    for name in listed:
        runs = result.suites.pop(name, [])
        if not runs:
            print(f'FAIL kunit/{arch}/{name} missing (log {log})')
            failed += 1
            continue
        got = ktap.outcome(runs)
        statuses = [case for run in runs for case in ktap.cases(run)]
        # A listed suite must run: a skipped case is a failure here.
        bad = [case for case in statuses if not ktap.passed(case)]
        ok = got == 'pass' and not bad
        print(f'{"PASS" if ok else "FAIL"} kunit/{arch}/{name} '
              f'cases={len(statuses)} not-passed={len(bad)}' +
              ('' if ok else f' {got} (log {log})'))
        failed += not ok
    lost = result.suites.pop('', [])
    for name, runs in result.suites.items():
        got = ktap.outcome(runs)
        if got not in ('pass', 'skip'):
            print(f'FAIL kunit/{arch}/{name} unlisted suite: {got} '
                  f'(log {log})')
            failed += 1
    if lost or result.errors:
        errors = sorted(set(result.errors))
        print(f'FAIL kunit/{arch}/run {len(lost)} suites of the plan never '
              f'printed; parser: {"; ".join(errors)} (log {log})')
        failed += 1
    return failed


def main():
    arch, kernel_log, suites_path, rc, log = sys.argv[1:6]
    try:
        with open(kernel_log, errors='replace') as f:
            text = f.read()
    except OSError as e:
        print(f'FAIL kunit/{arch}/run no kernel log ({e}); exit {rc}, '
              f'log {log}')
        return 1
    failed = judge_suites(arch, ktap.parse(text),
                          expected_suites(suites_path, arch), log)
    if rc != '0' and not failed:
        print(f'FAIL kunit/{arch}/run kunit.py exit {rc} (log {log})')
        failed += 1
    warnings = os.path.join(os.path.dirname(suites_path),
                            'expected-warnings.txt')
    failed += clean_log(arch, text.splitlines(), expected_warnings(warnings))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
