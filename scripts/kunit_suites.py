#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turns kunit.py's JSON into one PASS/FAIL line per suite.

usage: kunit_suites.py ARCH JSON SUITES_FILE KUNIT_EXIT_CODE LOG KERNEL_LOG
SUITES_FILE lists "suite [arch ...]" per line; a suite with no arch is
expected on every arch.  A listed suite that is missing, crashed, failed or
skipped a case is a failure; an unlisted suite fails only by failing.
KERNEL_LOG, the console kunit.py saved, must hold no kernel complaint
(lockdep, WARN, BUG...), judged as the scenarios judge theirs, except the
warnings that tests provoke on purpose: tests/kunit/expected-warnings.txt
names the function of each, which must warn exactly once.
"""
import re
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from scenario import LOG_PROBLEMS  # noqa: E402


def expected_suites(path, arch):
    suites = []
    with open(path) as f:
        for line in f:
            words = line.split('#')[0].split()
            if words and (len(words) == 1 or arch in words[1:]):
                suites.append(words[0])
    return suites


def cases(group):
    for case in group.get('test_cases', []):
        yield case['status']
    for sub in group.get('sub_groups', []):
        yield from cases(sub)


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


def clean_log(arch, kernel_log, expected):
    """One PASS/FAIL line for the kernel's console; returns 1 on FAIL."""
    try:
        with open(kernel_log, errors='replace') as f:
            lines = f.read().splitlines()
    except OSError as e:
        print(f'FAIL kunit/{arch}/clean-log no kernel log ({e})')
        return 1
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


def main():
    arch, json_path, suites_path, rc, log, kernel_log = sys.argv[1:7]
    try:
        with open(json_path) as f:
            root = json.load(f)
    except (OSError, ValueError) as e:
        print(f'FAIL kunit/{arch}/run no result ({e}); exit {rc}, log {log}')
        return 1
    groups = {g['name']: g for g in root.get('sub_groups', [])}
    failed = 0
    for name in expected_suites(suites_path, arch):
        group = groups.pop(name, None)
        if group is None:
            print(f'FAIL kunit/{arch}/{name} missing (log {log})')
            failed += 1
            continue
        statuses = list(cases(group))
        # A listed suite must run: a skipped case is a failure here.
        bad = [s for s in statuses if s != 'PASS']
        ok = statuses and not bad
        print(f'{"PASS" if ok else "FAIL"} kunit/{arch}/{name} '
              f'cases={len(statuses)} not-passed={len(bad)}')
        failed += not ok
    for name, group in groups.items():
        bad = [s for s in cases(group) if s not in ('PASS', 'SKIP')]
        if bad:
            print(f'FAIL kunit/{arch}/{name} unlisted suite failed')
            failed += 1
    if rc != '0' and not failed:
        print(f'FAIL kunit/{arch}/run kunit.py exit {rc} (log {log})')
        failed += 1
    warnings = os.path.join(os.path.dirname(suites_path),
                            'expected-warnings.txt')
    failed += clean_log(arch, kernel_log, expected_warnings(warnings))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
