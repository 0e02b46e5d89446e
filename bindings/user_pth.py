"""Puts a checkout's bindings/python on sys.path for this interpreter's user, like
`pip install --user -e` would: writes one line to <user site-packages>/cxsim-checkout.pth.

Run by the build after it puts _core*.so into bindings/python/cxsim, so that `import cxsim` works
in /usr/bin/python3 and its Jupyter kernel with no further step. Turn it off with
-DCXSIM_PYTHON_USER_PTH=OFF (then set PYTHONPATH or pip install the checkout).
"""

import os
import site
import sys


def main() -> int:
    target = os.path.abspath(sys.argv[1])
    if not site.ENABLE_USER_SITE:
        print(f"cxsim: user site-packages disabled; to import cxsim set PYTHONPATH={target}")
        return 0
    user_site = site.getusersitepackages()
    pth = os.path.join(user_site, "cxsim-checkout.pth")
    line = target + "\n"
    try:
        with open(pth, encoding="utf-8") as f:
            if f.read() == line:
                return 0
    except OSError:
        pass
    try:
        os.makedirs(user_site, exist_ok=True)
        with open(pth, "w", encoding="utf-8") as f:
            f.write(line)
    except OSError as e:  # a read-only home must not fail the build
        print(f"cxsim: could not write {pth} ({e}); to import cxsim set PYTHONPATH={target}")
        return 0
    print(f"cxsim: {pth} puts {target} on sys.path")
    return 0


if __name__ == "__main__":
    sys.exit(main())
