// Runs only with an interpreter that has numpy and numba: -Dnonativeleak.it.numbaPython=/path/to/venv/bin/python
if (!numbaPython?.trim()) {
    println 'SKIPPED: no -Dnonativeleak.it.numbaPython (an interpreter with numpy and numba)'
    return false
}
return true
