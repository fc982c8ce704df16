// Compiled only to carry the precompiled header the libraries reuse (CMakeLists.txt).
