import SystemPackage

/// A struct_ops registration made by ``LoadedKernelObject/attach(ringFD:structOps:)``: the struct_ops map and the link
/// that registered it. Closing the link detaches (for io_uring_bpf_ops: the ring runs normal `io_uring_enter` again);
/// that happens with `detach()` or when this value goes away.
public struct StructOpsAttachment: ~Copyable {
    /// The struct_ops variable that was attached, e.g. `nops_seq_ops`.
    public let name: String
    /// The kernel struct_ops type, e.g. `io_uring_bpf_ops`.
    public let typeName: String
    // Declared before `map` so it is released first.
    private let link: BPFLink
    private let map: BPFMap

    init(name: String, typeName: String, map: consuming BPFMap, link: consuming BPFLink) {
        self.name = name
        self.typeName = typeName
        self.link = link
        self.map = map
    }

    /// The link's file descriptor (borrowed).
    public var linkDescriptor: FileDescriptor { link.descriptor }

    /// The struct_ops map's file descriptor (borrowed).
    public var mapDescriptor: FileDescriptor { map.descriptor }

    /// Id, type and struct_ops map of the link (`BPF_OBJ_GET_INFO_BY_FD`).
    public func linkInfo() throws(BPFError) -> BPFLinkInfo { try link.info() }

    /// What the kernel reports about the struct_ops map (type, value size, flags, vmlinux value type id).
    public func mapInfo() throws(BPFError) -> BPFMapInfo { try map.info() }

    /// Detaches now by closing the link.
    public consuming func detach() {}
}
