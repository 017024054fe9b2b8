/// One training sample in the chat format of seed 003 §4.1: a conversation of
/// system/user/assistant turns plus metadata. This is the one in-memory shape
/// every ingest format is mapped to and every check works on.
public struct ChatSample: Sendable, Equatable {
    /// Stable identity across derived versions (masking keeps it, dedup drops
    /// it): the input's `id` field when present, otherwise the input line/row number.
    public var id: String
    public var messages: [ChatMessage]
    public var metadata: SampleMetadata

    public init(id: String, messages: [ChatMessage], metadata: SampleMetadata = SampleMetadata()) {
        self.id = id
        self.messages = messages
        self.metadata = metadata
    }

    /// All turn texts joined by "\n": what dedup, quality and lexicon checks read.
    public var joinedText: String {
        messages.map(\.content).joined(separator: "\n")
    }
}

public enum ChatRole: String, Sendable, CaseIterable {
    case system, user, assistant
}

public struct ChatMessage: Sendable, Equatable {
    public var role: ChatRole
    public var content: String

    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }
}

public struct SampleMetadata: Sendable, Equatable {
    public var source: String?
    public var category: String?
    public var qualityScore: Double?
    /// Any other metadata keys, each value kept as compact JSON text so nothing
    /// a user sent is lost on the way through.
    public var extra: [String: String]

    public init(source: String? = nil, category: String? = nil, qualityScore: Double? = nil, extra: [String: String] = [:]) {
        self.source = source
        self.category = category
        self.qualityScore = qualityScore
        self.extra = extra
    }
}
