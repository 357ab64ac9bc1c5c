internal import CLibXML2

/// A parsed XML document, copied into Swift values (`LibXMLElement`) so no libxml2 pointer outlives
/// the parse.
///
/// Safe against hostile input: the parser gets `XML_PARSE_NONET` (no network) and never
/// `XML_PARSE_NOENT` or `XML_PARSE_DTDLOAD`, so external entities are neither loaded nor expanded;
/// user-defined entity references are dropped from text and attribute values. Thread-safe: each
/// parse has its own context.
public struct LibXMLDocument: Sendable {
    public var root: LibXMLElement

    /// Parses `bytes`. `name` only names the document in errors.
    public init(parsing bytes: [UInt8], name: String) throws {
        guard let context = xmlNewParserCtxt() else {
            throw LibXMLParseError(message: "cannot allocate a parser context", document: name, line: 0)
        }
        defer { xmlFreeParserCtxt(context) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOWARNING.rawValue | XML_PARSE_NOERROR.rawValue)
        let document = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress!.withMemoryRebound(to: CChar.self, capacity: max(buffer.count, 1)) { chars in
                xmlCtxtReadMemory(context, chars, Int32(buffer.count), name, nil, options)
            }
        }
        guard let document else {
            throw Self.lastError(context, name) ?? LibXMLParseError(message: "not well-formed XML", document: name, line: 0)
        }
        defer { xmlFreeDoc(document) }
        guard let rootNode = xmlDocGetRootElement(document) else {
            throw LibXMLParseError(message: "document has no root element", document: name, line: 0)
        }
        root = Self.copy(rootNode)
    }

    private static func lastError(_ context: xmlParserCtxtPtr, _ name: String) -> LibXMLParseError? {
        guard let error = xmlCtxtGetLastError(UnsafeMutableRawPointer(context)) else { return nil }
        let message = error.pointee.message.map { String(cString: $0) }?
            .trimmingCharacters(in: " \n") ?? "parse error"
        return LibXMLParseError(message: message, document: name, line: Int(error.pointee.line))
    }

    private static func copy(_ node: xmlNodePtr) -> LibXMLElement {
        var element = LibXMLElement(name: String(cString: node.pointee.name))
        if let ns = node.pointee.ns, let href = ns.pointee.href { element.namespace = String(cString: href) }
        var attribute = node.pointee.properties
        while let current = attribute {
            let name = String(cString: current.pointee.name)
            element.attributes.append(.init(name: name, value: text(of: current.pointee.children)))
            attribute = current.pointee.next
        }
        var child = node.pointee.children
        var text = ""
        while let current = child {
            switch current.pointee.type {
            case XML_ELEMENT_NODE:
                element.children.append(copy(current))
            case XML_TEXT_NODE, XML_CDATA_SECTION_NODE:
                if let content = current.pointee.content { text += String(cString: content) }
            default:
                break // entity references, comments, processing instructions: never expanded
            }
            child = current.pointee.next
        }
        element.text = text
        return element
    }

    /// Text nodes only: an entity reference node is left out rather than expanded.
    private static func text(of first: xmlNodePtr?) -> String {
        var out = ""
        var node = first
        while let current = node {
            if current.pointee.type == XML_TEXT_NODE, let content = current.pointee.content {
                out += String(cString: content)
            }
            node = current.pointee.next
        }
        return out
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: String) -> String {
        var scalars = Substring(self)
        while let first = scalars.first, set.contains(first) { scalars.removeFirst() }
        while let last = scalars.last, set.contains(last) { scalars.removeLast() }
        return String(scalars)
    }
}
