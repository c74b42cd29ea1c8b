/// Identifiers in BatchCompute's formats, which clients check by prefix and shape.
public enum ResourceIDs {
    /// `job-` and 32 upper-case hex digits: time in the high half, a sequence number in the low.
    public static func job(sequence: UInt64, seconds: UInt64) -> String {
        "job-" + hex(seconds, width: 16) + hex(sequence, width: 16)
    }

    /// `cls-` and 22 lower-case letters and digits.
    public static func cluster<G: RandomNumberGenerator>(using generator: inout G) -> String {
        "cls-" + random(22, using: &generator)
    }

    /// `img-` and 22 lower-case letters and digits.
    public static func image<G: RandomNumberGenerator>(using generator: inout G) -> String {
        "img-" + random(22, using: &generator)
    }

    /// ECS-style VM ids, `i-…`.
    public static func vm<G: RandomNumberGenerator>(using generator: inout G) -> String {
        "i-" + random(20, using: &generator)
    }

    static func hex(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func random<G: RandomNumberGenerator>(_ count: Int, using generator: inout G) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<count).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
    }
}
