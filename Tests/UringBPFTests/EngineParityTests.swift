import Foundation
import Testing

/// The bundled loop programs give the same globals, files and statistics on both engines (the JIT and the
/// interpreter), run through the CLI as a user would.
@Suite("Examples behave the same on the JIT and the interpreter")
struct EngineParityTests {
    /// A shell script that runs example `name` in user mode on `engine` with the files it needs under `dir`, and
    /// prints what must not depend on the engine: the report without its engine, the copy's and MEM's checksums.
    static func run(_ name: String, engine: String, in dir: String) -> String {
        """
        set -e
        dir=\(dir); mkdir -p "$dir"
        case \(name) in
        nops_seq) set -- --set nr_nops=2000 ;;
        nops_qd) set -- --sq-entries 64 --cq-entries 128 --set nr_nops=2000 --set queue_depth=32 ;;
        read_open)
            printf 'hello from both engines\\n' > "$dir/in"
            printf '%s\\0' "$dir/in" > "$dir/paths"
            set -- --mem-size 8192 --mem-file "0:$dir/paths" --mem-out "$dir/mem" --set path_addr=@mem+0 \\
                --set buf_addr=@mem+4096 ;;
        copy_file)
            seq 1 60000 > "$dir/in"
            printf '%s\\0%s\\0' "$dir/in" "$dir/out" > "$dir/paths"
            set -- --mem-size 16384 --mem-file "0:$dir/paths" --mem-out "$dir/mem" --set in_path_addr=@mem+0 \\
                --set out_path_addr=@mem+$((${#dir} + 4)) --set buf_addr=@mem+4096 --set buf_len=8192 ;;
        esac
        uring-bpf run \(name) --mode user --engine \(engine) "$@" | sed -e 's/, engine [a-z]*$//' -e '/_fd = /d'
        [ -f "$dir/out" ] && echo "out: $(md5sum < "$dir/out" | cut -d' ' -f1)"
        [ -s "$dir/mem" ] && echo "mem after 4096: $(tail -c +4097 "$dir/mem" | md5sum | cut -d' ' -f1)"
        true
        """
    }

    @Test(arguments: ["nops_seq", "nops_qd", "read_open", "copy_file"])
    func sameResults(example: String) throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let (jitStatus, jit) = try CLIProcess(shell: Self.run(example, engine: "jit", in: root + "/j")).wait()
        let (interpreterStatus, interpreter) = try CLIProcess(shell: Self.run(example, engine: "interpreter", in: root + "/i")).wait()
        #expect(jitStatus == 0 && interpreterStatus == 0, "\(jit)\n\(interpreter)")
        #expect(jit.contains(": result 0"), "\(jit)")
        #expect(jit == interpreter, "JIT:\n\(jit)\ninterpreter:\n\(interpreter)")
    }
}
