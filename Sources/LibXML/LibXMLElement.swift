/// An element of a parsed document, copied out of libxml2 (no pointers kept).
///
/// Text content is kept only for elements whose children include text; entity references that the
/// parser did not replace (user-defined entities) are dropped, never expanded.
public struct LibXMLElement: Sendable, Hashable {
    /// Local name (without prefix).
    public var name: String
    /// Namespace URI, or nil.
    public var namespace: String?
    /// Attributes in document order: local name and value (after XML unescaping).
    public var attributes: [Attribute]
    public var children: [LibXMLElement]
    /// Concatenated text and CDATA directly inside this element.
    public var text: String

    public struct Attribute: Sendable, Hashable {
        public var name: String
        public var value: String
    }

    public init(name: String, namespace: String? = nil, attributes: [Attribute] = [], children: [LibXMLElement] = [], text: String = "") {
        self.name = name
        self.namespace = namespace
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    /// The value of the first attribute called `name`.
    public func attribute(_ name: String) -> String? {
        attributes.first { $0.name == name }?.value
    }
}
