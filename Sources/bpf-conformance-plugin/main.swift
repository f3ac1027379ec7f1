// bpf_conformance plugin: see ../shared/docs/bpf-conformance.md.
print("not yet")
