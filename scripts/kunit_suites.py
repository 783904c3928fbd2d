#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turns kunit.py's JSON into one PASS/FAIL line per suite.

usage: kunit_suites.py ARCH JSON SUITES_FILE KUNIT_EXIT_CODE LOG KERNEL_LOG
SUITES_FILE lists "suite [arch ...]" per line; a suite with no arch is
expected on every arch.  A listed suite that is missing, crashed, failed or
skipped a case is a failure; an unlisted suite fails only by failing.
KERNEL_LOG, the console kunit.py saved, must hold no kernel complaint
(lockdep, WARN, BUG...), judged as the scenarios judge theirs.
"""
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


def clean_log(arch, kernel_log):
    """One PASS/FAIL line for the kernel's console; returns 1 on FAIL."""
    try:
        with open(kernel_log, errors='replace') as f:
            lines = f.read().splitlines()
    except OSError as e:
        print(f'FAIL kunit/{arch}/clean-log no kernel log ({e})')
        return 1
    problems = [l.strip() for l in lines if LOG_PROBLEMS.search(l)]
    if problems:
        print(f'FAIL kunit/{arch}/clean-log {"; ".join(problems[:3])}')
        return 1
    print(f'PASS kunit/{arch}/clean-log {len(lines)} lines, no kernel complaint')
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
    failed += clean_log(arch, kernel_log)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
