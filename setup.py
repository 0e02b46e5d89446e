"""Builds cxsim._core with the project's CMake (see pyproject.toml); the rest of the package is
plain Python in bindings/python/cxsim.

CXSIM_REUSE_BUILD=<a CMake build directory of this checkout with CXSIM_BUILD_PYTHON=ON, e.g.
build/release>: the build tree is still configured as always, but _core is built in (usually
already there) and copied from the given tree instead of compiling the whole engine again
(tests/install/test_pip.sh uses it; the module must be for the same Python)."""

import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent


class CMakeExtension(Extension):
    def __init__(self, name: str) -> None:
        super().__init__(name, sources=[])


class CMakeBuild(build_ext):
    def build_extension(self, ext: Extension) -> None:
        module_dir = Path(self.get_ext_fullpath(ext.name)).resolve().parent
        build_dir = ROOT / "build" / "pip"
        configure = [
            "cmake", "-S", str(ROOT), "-B", str(build_dir), "-G", "Ninja",
            "-DCMAKE_BUILD_TYPE=Release",
            "-DCXSIM_BUILD_PYTHON=ON", "-DCXSIM_BUILD_TESTS=OFF", "-DCXSIM_BUILD_BENCH=OFF",
            f"-DCXSIM_PYTHON_EXECUTABLE={sys.executable}",
            f"-DCXSIM_PYTHON_MODULE_DIR={module_dir}",
            "-DCXSIM_PYTHON_USER_PTH=OFF", "-DCXSIM_PYTHON_LINK_SOURCES=OFF",
        ]
        subprocess.run(configure, check=True)
        built = Path(self.get_ext_fullpath(ext.name))
        reuse = os.environ.get("CXSIM_REUSE_BUILD")
        if reuse:
            subprocess.run(["cmake", "--build", reuse, "--target", "cxsim_python"], check=True)
            cache = (Path(reuse) / "CMakeCache.txt").read_text()
            module_dir = re.search(r"^CXSIM_PYTHON_MODULE_DIR:PATH=(.*)$", cache, re.M).group(1)
            module = Path(module_dir) / ("_core" + sysconfig.get_config_var("EXT_SUFFIX"))
            if not module.exists():
                raise RuntimeError(f"CXSIM_REUSE_BUILD={reuse} has no {module.name} for this Python")
            built.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(module, built)
            return
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "cxsim_python"], check=True)
        if not built.exists():
            raise RuntimeError(f"CMake did not produce {built}")


version = re.search(r"project\(cxsim VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)
setup(version=version, ext_modules=[CMakeExtension("cxsim._core")], cmdclass={"build_ext": CMakeBuild},
      zip_safe=False)
