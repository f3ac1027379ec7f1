import BPFObject
import SystemPackage

/// A BPF link owned by this process; closing it (when the value goes away) detaches what it attached.
///
/// For a struct_ops map created with ``/BPFObject/MapFlags/link``, the link is what registers the ops with the kernel
/// (for `io_uring_bpf_ops`: installs the loop on the ring named by `ring_fd` in the map value).
public struct BPFLink: ~Copyable {
    /// The link's file descriptor (borrowed: do not close it).
    public let descriptor: FileDescriptor

    /// Creates a link (`BPF_LINK_CREATE`) attaching `program` to `target` with `attachType`.
    public init(program: FileDescriptor, target: FileDescriptor?, attachType: BPFAttachType, flags: UInt32 = 0)
        throws(BPFError)
    {
        // union bpf_attr, struct link_create.
        var attr = BPFAttr(size: 16)  // offsetofend(flags)
        attr.set(program.rawValue, at: 0)  // prog_fd (union with map_fd)
        attr.set(target?.rawValue ?? 0, at: 4)  // target_fd
        attr.set(attachType.rawValue, at: 8)  // attach_type
        attr.set(flags, at: 12)  // flags
        descriptor = try bpfCreateFD(.linkCreate, &attr, operation: "create link (attach type \(attachType.rawValue))")
    }

    /// Registers a struct_ops map (created with ``/BPFObject/MapFlags/link`` and updated with its value) through a
    /// link: the map fd goes in the `prog_fd` slot and the attach type is `BPF_STRUCT_OPS`.
    public init(structOps map: borrowing BPFMap) throws(BPFError) {
        do {
            try self.init(program: map.descriptor, target: nil, attachType: .structOps)
        } catch {
            throw BPFError(
                command: error.command, errno: error.errno,
                operation: "attach struct_ops map \(BPFMap.quoted(map.spec.name))", log: error.log)
        }
    }

    deinit { try? descriptor.close() }

    /// Closes the link now, detaching it (unless another fd to it is still open).
    public consuming func close() {}

    /// Detaches the link while keeping the fd open (`BPF_LINK_DETACH`); the link is then defunct.
    public func detach() throws(BPFError) {
        var attr = BPFAttr(size: 4)  // offsetofend(link_detach.link_fd)
        attr.set(descriptor.rawValue, at: 0)  // link_fd
        try bpfCall(.linkDetach, &attr, operation: "detach link")
    }

    /// Id, type and target of this link (`BPF_OBJ_GET_INFO_BY_FD`).
    public func info() throws(BPFError) -> BPFLinkInfo { try BPFLinkInfo(descriptor) }
}
