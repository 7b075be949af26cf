#!/usr/bin/python3
"""lava-validate.py LIST — check the LAVA job definitions named in LIST (one
path a line) with LAVA's own schema, lava_common.schemas.validate (strict:
what lava-server checks on submit).  Exit 0 all valid, 1 some invalid, 3
lava-common is not installed (the jobs are then not checked)."""
import sys

try:
    import voluptuous
    import yaml
    from lava_common.schemas import validate
    from lava_common.version import __version__
except ImportError as exc:
    print("lava-common is not installed (apt-get install lava-common): %s" % exc)
    sys.exit(3)

with open(sys.argv[1]) as f:
    paths = [line.rstrip("\n") for line in f if line.strip()]
bad = 0
for path in paths:
    try:
        with open(path) as f:
            job = yaml.safe_load(f)
        validate(job, strict=True, extra_context_variables=[])
    except (OSError, yaml.YAMLError) as exc:
        bad += 1
        print("%s: unreadable: %s" % (path, exc))
    except voluptuous.Invalid as exc:
        bad += 1
        print("%s: invalid: %s" % (path, exc))
print("%d of %d jobs valid (LAVA %s schema, strict)" % (len(paths) - bad, len(paths), __version__))
sys.exit(1 if bad else 0)
