/// Exponential backoff after failed reconciliations, as Flux does: 750 ms doubling up to
/// 15 minutes, back to the start after a success.
public struct Backoff: Sendable, Equatable {
    public static let initial = 0.75
    public static let maximum = 15.0 * 60

    public private(set) var failures = 0

    public init() {}

    /// The wait before the next attempt, after one more failure.
    public mutating func failed() -> Double {
        failures += 1
        return delay
    }

    public mutating func succeeded() { failures = 0 }

    /// The current wait: 0.75 s × 2^(failures−1), at most 15 min; 0 without failures.
    public var delay: Double {
        guard failures > 0 else { return 0 }
        var d = Backoff.initial
        for _ in 1..<failures where d < Backoff.maximum { d *= 2 }
        return min(d, Backoff.maximum)
    }
}
