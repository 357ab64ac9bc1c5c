internal import CLibXML2

/// Writes one XML document into memory with libxml2's `xmlTextWriter`.
///
/// Every text and attribute value is escaped by libxml2 after `LibXMLText.cleaned` has removed the
/// characters XML 1.0 forbids (control characters, U+FFFE, U+FFFF), so any Swift string can be
/// written and the output is always well-formed UTF-8. Not thread-safe: one writer per document.
public final class LibXMLWriter {
    private let buffer: xmlBufferPtr
    private let writer: xmlTextWriterPtr
    private var finished = false

    /// - Parameter indent: indent nested elements by `indent` spaces per level (0 writes one line).
    public init(indent: Int = 0) throws(LibXMLError) {
        guard let buffer = xmlBufferCreate() else { throw LibXMLError("xmlBufferCreate failed") }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            xmlBufferFree(buffer)
            throw LibXMLError("xmlNewTextWriterMemory failed")
        }
        self.buffer = buffer
        self.writer = writer
        if indent > 0 {
            xmlTextWriterSetIndent(writer, 1)
            _ = String(repeating: " ", count: indent).withXMLChars { xmlTextWriterSetIndentString(writer, $0) }
        }
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    /// `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` (standalone left out when nil).
    public func startDocument(standalone: Bool? = true) throws(LibXMLError) {
        let result: Int32
        if let standalone {
            result = xmlTextWriterStartDocument(writer, "1.0", "UTF-8", standalone ? "yes" : "no")
        } else {
            result = xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil)
        }
        try check(result, "start the document")
    }

    /// Opens an element; with `namespace`, declares it as the default namespace (`xmlns="…"`).
    public func startElement(_ name: String, namespace: String? = nil) throws(LibXMLError) {
        let result = name.withXMLChars { name in
            if let namespace {
                return LibXMLText.cleaned(namespace).withXMLChars { xmlTextWriterStartElementNS(writer, nil, name, $0) }
            }
            return xmlTextWriterStartElement(writer, name)
        }
        try check(result, "start element <\(name)>")
    }

    /// Writes an attribute of the element just opened; the value is cleaned and escaped.
    public func attribute(_ name: String, _ value: String) throws(LibXMLError) {
        let result = name.withXMLChars { name in
            LibXMLText.cleaned(value).withXMLChars { xmlTextWriterWriteAttribute(writer, name, $0) }
        }
        try check(result, "write attribute \(name)")
    }

    /// Writes character data; the text is cleaned and escaped.
    public func text(_ value: String) throws(LibXMLError) {
        let result = LibXMLText.cleaned(value).withXMLChars { xmlTextWriterWriteString(writer, $0) }
        try check(result, "write text")
    }

    /// `<name>value</name>`.
    public func element(_ name: String, _ value: String) throws(LibXMLError) {
        try startElement(name)
        try text(value)
        try endElement()
    }

    public func endElement() throws(LibXMLError) {
        try check(xmlTextWriterEndElement(writer), "end element")
    }

    /// Closes every open element and the document, and returns the bytes written (UTF-8).
    public func finish() throws(LibXMLError) -> [UInt8] {
        if !finished {
            try check(xmlTextWriterEndDocument(writer), "end the document")
            finished = true
        }
        try check(xmlTextWriterFlush(writer), "flush")
        let count = Int(xmlBufferLength(buffer))
        guard count > 0, let content = xmlBufferContent(buffer) else { return [] }
        return Array(UnsafeBufferPointer(start: content, count: count))
    }

    private func check(_ result: Int32, _ what: String) throws(LibXMLError) {
        if result < 0 { throw LibXMLError("libxml2 could not \(what)") }
    }
}

/// An error from the libxml2 wrapper.
public struct LibXMLError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

extension String {
    /// Calls `body` with the string as NUL-terminated `xmlChar` (UTF-8). Swift strings hold no
    /// interior NUL after `LibXMLText.cleaned`.
    func withXMLChars<R>(_ body: (UnsafePointer<xmlChar>) -> R) -> R {
        withCString { chars in
            chars.withMemoryRebound(to: xmlChar.self, capacity: utf8.count + 1) { body($0) }
        }
    }
}
