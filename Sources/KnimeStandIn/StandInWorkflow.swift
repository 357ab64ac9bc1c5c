/// A repository workflow the stand-in serves as `GET /repository{path}:data`.
public struct StandInWorkflow: Sendable, Hashable {
    public enum Body: Sendable, Hashable {
        /// A real archive file, served as is.
        case archive(String)
        /// The first half of an archive file only.
        case truncated(String)
    }

    /// Repository path with a leading `/`.
    public var path: String
    public var body: Body
    /// Delay before answering, in milliseconds.
    public var delayMilliseconds: Int

    public init(path: String, body: Body, delayMilliseconds: Int = 0) {
        self.path = path
        self.body = body
        self.delayMilliseconds = delayMilliseconds
    }

    public var file: String {
        switch body {
        case .archive(let file), .truncated(let file): file
        }
    }
}
