/// The wire keys of the answers, for the readers that do not decode a whole answer into its
/// type: the planner's fast inventory reader (10,000 objects read while manifests load), and
/// its live objects, kept as JSON because a plan compares them path by path with the
/// manifests. Each constant is its type's coding key, so the spelling stays in one place.

extension InventoryItem {
    public enum Key {
        /// The page's list of items.
        public static let items = InventoryAnswer.CodingKeys.items.rawValue
        public static let collection = CodingKeys.collection.rawValue
        public static let id = CodingKeys.id.rawValue
        public static let revision = CodingKeys.revision.rawValue
        public static let state = CodingKeys.state.rawValue
        public static let message = CodingKeys.message.rawValue
        public static let labels = CodingKeys.labels.rawValue
        public static let endTime = CodingKeys.endTime.rawValue
        /// The answer's own keys (`InventoryAnswer`).
        public static let removed = InventoryAnswer.CodingKeys.removed.rawValue
        public static let cursor = InventoryAnswer.CodingKeys.cursor.rawValue
        public static let complete = InventoryAnswer.CodingKeys.complete.rawValue
    }
}

extension JobStatus {
    public enum Key {
        public static let id = CodingKeys.id.rawValue
        public static let state = CodingKeys.state.rawValue
        public static let message = CodingKeys.message.rawValue
        public static let creationTime = CodingKeys.creationTime.rawValue
        public static let labels = CodingKeys.labels.rawValue
    }
}

extension ClusterStatus {
    public enum Key {
        public static let id = CodingKeys.id.rawValue
        public static let revision = CodingKeys.revision.rawValue
        public static let state = CodingKeys.state.rawValue
        public static let creationTime = CodingKeys.creationTime.rawValue
        public static let labels = CodingKeys.labels.rawValue
        public static let groups = CodingKeys.groups.rawValue
    }
}

extension ClusterStatus.Group {
    public enum Key {
        public static let desiredVMCount = CodingKeys.desiredVMCount.rawValue
    }
}

extension AppStatus {
    public enum Key {
        /// An app is named, not numbered: its name is its ID.
        public static let name = AppDescription.CodingKeys.name.rawValue
        public static let revision = Keys.revision.rawValue
        public static let creationTime = Keys.creationTime.rawValue
        public static let labels = AppDescription.CodingKeys.labels.rawValue
    }
}

extension Page {
    /// A page's keys, for readers that keep the items as JSON (a generic type holds no stored
    /// constants: these are computed).
    public static var itemsKey: String { CodingKeys.items.rawValue }
    public static var nextMarkerKey: String { CodingKeys.nextMarker.rawValue }
}
