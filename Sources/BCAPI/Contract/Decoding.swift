extension KeyedDecodingContainer {
    /// A field BatchCompute may leave out of an answer (older servers, empty groups): the
    /// default stands in, so one missing field does not make a whole answer unreadable.
    func field<T: Decodable>(_ key: Key, or fallback: @autoclosure () -> T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? fallback()
    }
}
