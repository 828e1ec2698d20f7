# The Pillow-resize timing program used by bench/bench_resize_pil.py (not a test).
# Wire it with one line in the CMakeLists.txt that owns bench/:
#   include(${CMAKE_SOURCE_DIR}/bench/CMakeLists_pil.cmake)
add_executable(bench_resize_pil ${CMAKE_SOURCE_DIR}/bench/bench_resize_pil_main.c)
target_link_libraries(bench_resize_pil PRIVATE xalign_static)
set_target_properties(bench_resize_pil PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/bench)
