/// A state kept at an instruction for pruning (`bpf_verifier_state_list`): paths reaching the instruction in a state
/// it covers are cut. `branches` counts paths still being explored below it; only finished checkpoints prune.
final class Checkpoint {
    let state: VerifierState
    let instruction: Int
    let parent: Checkpoint?
    var branches = 1
    var hits = 0
    var misses = 0
    /// Which of its scalars later instructions depended on; only those are compared when pruning.
    var precision: PrecisionMarks
    /// The instructions from the parent checkpoint to this one, for walking precision back.
    var history: [HistoryEntry] = []

    init(state: VerifierState, instruction: Int, parent: Checkpoint?) {
        self.state = state
        self.instruction = instruction
        self.parent = parent
        precision = PrecisionMarks(frames: state.frames.count)
    }
}

/// One path being explored: its state, where it is, and the checkpoint it descends from.
struct Path {
    var state: VerifierState
    var pc: Int
    var parent: Checkpoint?
    /// Jumps since the last checkpoint (a new one is forced after 40, as the kernel's `jmp_history_cnt`).
    var jumpsSinceCheckpoint = 0
    /// The last instructions of this path, for the log (a ring of `Path.trailLength`).
    var trail = [Int32](repeating: -1, count: Path.trailLength)
    var trailHead = 0
    /// Instructions since the parent checkpoint.
    var history: [HistoryEntry] = []
    /// Registers and slots already marked precise since the parent checkpoint (a value written since is not).
    var precise = PrecisionMarks(frames: VerifierRun.maxFrames + 1)

    static let trailLength = 48

    mutating func record(_ pc: Int) {
        trail[trailHead] = Int32(pc)
        trailHead = (trailHead + 1) % Path.trailLength
    }

    var recentInstructions: [Int] {
        (0..<Path.trailLength).map { trail[(trailHead + $0) % Path.trailLength] }.filter { $0 >= 0 }.map(Int.init)
    }
}
