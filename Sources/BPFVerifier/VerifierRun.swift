import BPF
import BPFObject

/// One verification of one program: the CFG check, then every path explored from the entry (`do_check`), then the
/// stack-depth check.
struct VerifierRun {
    let options: VerifierOptions
    let program: VerifierProgram
    var log: VerifierLog
    var statistics = VerifierStatistics()

    var flow: ControlFlow! = nil
    /// Checkpoints by instruction.
    var checkpoints: [[Checkpoint]] = []
    var pending: [Path] = []
    /// The path being explored.
    var path: Path
    var nextID = 0
    var liveCheckpoints = 0
    /// The most frames any state has had, to size precision marks.
    var deepestFrames = 1
    var jumpsProcessed = 0
    var lastCheckpointJumps = 0
    var lastCheckpointInstructions = 0
    /// Deepest stack access of each function (by first instruction), in bytes.
    var stackDepth: [Int: Int] = [:]
    /// Functions entered from each call instruction, for the combined stack check.
    var callEdges: Set<[Int]> = []

    init(object: ObjectFile, program: ObjectProgram, options: VerifierOptions) {
        self.options = options
        self.program = VerifierProgram(object: object, program: program, globalData: options.globalData)
        log = VerifierLog(level: options.logLevel)
        var entry = Frame(number: 0, callsite: -1, functionStart: 0)
        entry.registers[1] = .pointer(Pointer(.context))
        path = Path(state: VerifierState(frames: [entry]), pc: 0, parent: nil)
    }

    mutating func verify() -> VerifierRejection? {
        do {
            try checkProgramType()
            flow = try ControlFlow(program)
            checkpoints = Array(repeating: [], count: program.count)
            try explore()
            try checkStackDepth()
            log.summary(statistics)
            return nil
        } catch {
            return rejection(for: error)
        }
    }

    /// What the kernel checks before the instructions: a struct_ops program of a known member.
    func checkProgramType() throws(Failure) {
        guard program.program.isStructOps else {
            throw Failure(
                .invalidArgument, "program type not supported by this verifier",
                "Program \(program.program.name) (section \(program.program.sectionName)) is not a struct_ops program; only loop_step programs are verified.")
        }
        guard !program.instructions.isEmpty else {
            throw .invalid("empty program", "The program has no instructions.")
        }
        guard program.count <= options.instructionLimit else {
            throw Failure(
                .argListTooLong, "BPF program is too large (\(program.count) instructions)",
                "The program has \(program.count) instructions; the kernel loads at most \(options.instructionLimit).")
        }
    }

    // MARK: Exploration

    mutating func explore() throws(Failure) {
        while true {
            try explorePath()
            finish(path.parent)
            guard let next = pending.popLast() else { return }
            path = next
            log.branch(to: path.pc, state: path.state)
        }
    }

    /// Explores the current path until it exits or is pruned.
    mutating func explorePath() throws(Failure) {
        while true {
            let pc = path.pc
            guard pc >= 0 && pc < program.count else {
                throw Failure(.badAddress, "invalid insn idx \(pc) insn_cnt \(program.count)", "Execution left the program at \(pc).")
            }
            statistics.processedInstructions += 1
            if statistics.processedInstructions > options.instructionLimit {
                throw Failure(
                    .argListTooLong, "BPF program is too large. Processed \(statistics.processedInstructions) insn",
                    "The verifier would have to process more than \(options.instructionLimit) instructions to check every path (the kernel's complexity limit); bound the loops more tightly.")
            }
            if flow.prunePoints[pc] {
                if try visit(pc) {
                    statistics.prunedPaths += 1
                    return
                }
            }
            path.record(pc)
            path.history.append(HistoryEntry(pc: Int32(pc), depth: Int8(path.state.frames.count - 1)))
            log.instruction(pc, program: program, state: path.state)
            if try step() == .exit { return }
        }
    }

    /// A path has ended: its checkpoints have one branch fewer (`update_branch_counts`).
    func finish(_ parent: Checkpoint?) {
        var c = parent
        while let cp = c {
            cp.branches -= 1
            if cp.branches > 0 { break }
            c = cp.parent
        }
    }

    /// Queues `state` at `pc` for later exploration (`push_stack`).
    mutating func push(_ state: VerifierState, at pc: Int) throws(Failure) {
        var other = path
        other.state = state
        other.pc = pc
        pending.append(other)
        path.parent?.branches += 1
        if pending.count > options.pendingBranchLimit {
            throw Failure(
                .argListTooLong, "The sequence of \(pending.count) jumps is too complex.",
                "More than \(options.pendingBranchLimit) branches wait to be explored at once (the kernel's jump-sequence limit); the program branches too often on one path.")
        }
    }

    // MARK: Pruning (is_state_visited)

    /// Compares the current state with the checkpoints at `pc`; returns true if one covers it.
    mutating func visit(_ pc: Int) throws(Failure) -> Bool {
        let force = flow.forceCheckpoints[pc] || path.jumpsSinceCheckpoint > 40
        var addNew = force
        if jumpsProcessed - lastCheckpointJumps >= 2
            && statistics.processedInstructions - lastCheckpointInstructions >= 8
        {
            addNew = true
        }
        var index = 0
        var covered = false
        var coveringCheckpoint: Checkpoint? = nil
        while index < checkpoints[pc].count {
            let cp = checkpoints[pc][index]
            if cp.branches > 0 {
                if flow.forceCheckpoints[pc] {
                    if statesEqual(cp, path.state, at: pc, mode: .rangeWithin) {
                        cp.hits += 1
                        covered = true
                        coveringCheckpoint = cp
                        break
                    }
                } else if cp.state.current.registers == path.state.current.registers
                    && cp.state.frames.count == path.state.frames.count
                    && statesEqual(cp, path.state, at: pc, mode: .exact)
                {
                    throw Failure(
                        .invalidArgument, "infinite loop detected at insn \(pc)",
                        "The loop through instruction \(pc) comes back in exactly the same state, so it never ends.")
                }
                if !force && jumpsProcessed - lastCheckpointJumps < 20
                    && statistics.processedInstructions - lastCheckpointInstructions < 100
                {
                    addNew = false
                }
            } else if statesEqual(cp, path.state, at: pc, mode: .notExact) {
                cp.hits += 1
                covered = true
                coveringCheckpoint = cp
                break
            }
            if addNew { cp.misses += 1 }
            let n = flow.forceCheckpoints[pc] && cp.branches > 0 ? 64 : 3
            if cp.misses > cp.hits * n + n {
                checkpoints[pc].remove(at: index)
                liveCheckpoints -= 1
                continue
            }
            index += 1
        }
        if covered, let cp = coveringCheckpoint {
            propagatePrecision(from: cp)
            return true
        }
        guard addNew else { return false }
        clearSingularIDs(&path.state)
        let cp = Checkpoint(state: path.state, instruction: pc, parent: path.parent)
        cp.history = path.history
        path.history = []
        path.precise = PrecisionMarks(frames: VerifierRun.maxFrames + 1)
        checkpoints[pc].append(cp)
        statistics.totalStates += 1
        liveCheckpoints += 1
        statistics.peakStates = max(statistics.peakStates, liveCheckpoints)
        lastCheckpointJumps = jumpsProcessed
        lastCheckpointInstructions = statistics.processedInstructions
        path.parent = cp
        path.jumpsSinceCheckpoint = 0
        return false
    }

    /// A pruned path relied on the covering checkpoint's precise scalars: they must be precise on this path too
    /// (`propagate_precision`).
    mutating func propagatePrecision(from cp: Checkpoint) {
        var marks = PrecisionMarks(frames: deepestFrames + 1)
        for f in cp.state.frames.indices {
            marks.registers[f] = cp.precision.registers[f]
            marks.slots[f] = cp.precision.slots[f]
        }
        propagate(&marks)
    }

    // MARK: Stack depth (check_max_stack_depth)

    func checkStackDepth() throws(Failure) {
        // Every chain of calls from the entry: the frames' stack sizes (rounded to 16 as with the JIT) must fit 512.
        var callees: [Int: Set<Int>] = [:]
        for edge in callEdges { callees[edge[0], default: []].insert(edge[1]) }
        func depth(_ function: Int, _ total: Int, _ chain: [String], _ visiting: Set<Int>) throws(Failure) {
            let own = stackDepth[function] ?? 0
            let rounded = (own + 15) / 16 * 16
            let sum = total + rounded
            let chain = chain + ["\(program.functionName(function)) (\(rounded) bytes)"]
            if sum > 512 {
                throw Failure(
                    .permissionDenied, "combined stack size of \(chain.count) calls is \(sum). Too large",
                    "The stack frames of the calls \(chain.joined(separator: " -> ")) use \(sum) bytes together; the limit is 512.",
                    instruction: -1)
            }
            for callee in callees[function] ?? [] where !visiting.contains(callee) {
                try depth(callee, sum, chain, visiting.union([callee]))
            }
        }
        try depth(0, 0, [], [0])
    }

    // MARK: IDs

    mutating func newID() -> Int {
        nextID += 1
        return nextID
    }

    /// Scalar ids used by one register only link nothing; dropping them helps pruning (`clear_singular_ids`).
    func clearSingularIDs(_ state: inout VerifierState) {
        var ids: [Int] = []
        var repeated: [Int] = []
        state.forEachRegisterRead { r in
            guard case .scalar(_, let link) = r, link.isLinked else { return }
            let id = link.id
            if ids.contains(id) { repeated.append(id) } else { ids.append(id) }
        }
        guard ids.count > repeated.count else { return }
        state.forEachRegister { r in
            if case .scalar(let s, let link) = r, link.isLinked, !repeated.contains(link.id) { r = .scalar(s, link: .unlinked) }
        }
    }

    // MARK: Rejection

    mutating func rejection(for failure: Failure) -> VerifierRejection {
        // A failure of the whole program (the combined stack) has no instruction: `instruction` is -1.
        let index = failure.instruction.map { $0 >= 0 ? $0 : nil } ?? (flow == nil ? nil : path.pc)
        var instruction: String? = nil
        var location: SourceLocation? = nil
        if let index, index >= 0, index < program.count {
            instruction = VerifierLog.disassemble(index, program)
            location = program.program.sourceLocation(at: index)
        }
        let registers = path.state.frames.isEmpty ? [] : failure.registers.map { "R\($0)=\(path.state[register: $0])" }
        let rejection = VerifierRejection(
            errno: failure.errno, reason: failure.reason, kernelMessage: failure.kernelMessage,
            instructionIndex: index, instruction: instruction, registers: registers, sourceLocation: location)
        if failure.instruction == nil && flow != nil && !path.state.frames.isEmpty {
            log.failure(rejection, path: path.recentInstructions, program: program)
        } else {
            log.failure(rejection, path: [], program: program)
        }
        return rejection
    }
}
