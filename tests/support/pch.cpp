// The object the test targets' shared precompiled header (support/pch.hpp) is built with.
