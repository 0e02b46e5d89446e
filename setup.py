"""Builds cxsim._core with the project's CMake (see pyproject.toml); the rest of the package is
plain Python in bindings/python/cxsim."""

import os
import re
import subprocess
import sys
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
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "cxsim_python"], check=True)
        built = Path(self.get_ext_fullpath(ext.name))
        if not built.exists():
            raise RuntimeError(f"CMake did not produce {built}")


version = re.search(r"project\(cxsim VERSION ([0-9.]+)", (ROOT / "CMakeLists.txt").read_text()).group(1)
setup(version=version, ext_modules=[CMakeExtension("cxsim._core")], cmdclass={"build_ext": CMakeBuild},
      zip_safe=False)
