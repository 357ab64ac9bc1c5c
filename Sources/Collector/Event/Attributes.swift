/// Ordered name/value pairs. A name may occur more than once (one `paths` entry per path).
public struct Attributes: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public struct Element: Sendable, Hashable {
        public var name: String
        public var value: String

        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    public private(set) var elements: [Element]

    public init() { elements = [] }

    public init(_ pairs: [(String, String)]) {
        elements = pairs.map { Element(name: $0.0, value: $0.1) }
    }

    public init(dictionaryLiteral pairs: (String, String)...) {
        self.init(pairs)
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }

    public func makeIterator() -> IndexingIterator<[Element]> { elements.makeIterator() }

    /// The first value under `name`. Setting replaces every value under `name` (in the place of the
    /// first one) or appends; setting nil removes them.
    public subscript(name: String) -> String? {
        get { elements.first { $0.name == name }?.value }
        set {
            guard let first = elements.firstIndex(where: { $0.name == name }) else {
                if let newValue { elements.append(Element(name: name, value: newValue)) }
                return
            }
            guard let newValue else {
                elements.removeAll { $0.name == name }
                return
            }
            elements[first].value = newValue
            var index = elements.count - 1
            while index > first {
                if elements[index].name == name { elements.remove(at: index) }
                index -= 1
            }
        }
    }

    /// Every value under `name`, in order.
    public func values(_ name: String) -> [String] {
        elements.compactMap { $0.name == name ? $0.value : nil }
    }

    /// Appends a pair, keeping any earlier value under the same name.
    public mutating func append(_ name: String, _ value: String) {
        elements.append(Element(name: name, value: value))
    }

    public mutating func removeAll(named name: String) {
        elements.removeAll { $0.name == name }
    }
}
