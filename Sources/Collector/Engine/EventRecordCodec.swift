/// The compact binary form of an event in a disk buffer: every field exactly as it was (ids, the
/// instant in nanoseconds with its UTC offset, absent optional fields, attributes in order with
/// repeated names). Not an output format: it only round-trips through a buffer of the same version.
///
/// Layout: version byte, then fields in declaration order; a string is a LEB128 length and its
/// UTF-8 bytes; an optional string is a presence byte then the string; integers are LEB128
/// (times zig-zag encoded).
enum EventRecordCodec {
    static let version: UInt8 = 1

    struct DecodingError: Error, CustomStringConvertible {
        var description: String
    }

    static func append(_ event: AuditEvent, to out: inout [UInt8]) {
        out.append(version)
        appendString(event.id, &out)
        appendVarint(zigzag(event.time.nanosecondsSinceEpoch), &out)
        appendVarint(zigzag(Int64(event.time.utcOffsetSeconds)), &out)
        for value in [event.actor.id, event.actor.name, event.actor.proxyUser, event.actor.clientIP,
                      event.actor.authMethod, event.actor.session] {
            if let value {
                out.append(1)
                appendString(value, &out)
            } else {
                out.append(0)
            }
        }
        appendString(event.action.type, &out)
        appendString(event.action.outcome.rawValue, &out)
        appendString(event.resource.type, &out)
        appendString(event.resource.name, &out)
        appendString(event.application.name, &out)
        appendString(event.application.component, &out)
        appendString(event.application.host, &out)
        appendVarint(UInt64(event.attributes.count), &out)
        for element in event.attributes {
            appendString(element.name, &out)
            appendString(element.value, &out)
        }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> AuditEvent {
        var reader = Reader(bytes: bytes)
        let recordVersion = try reader.byte()
        guard recordVersion == version else { throw DecodingError(description: "unknown record version \(recordVersion)") }
        let id = try reader.string()
        let nanoseconds = unzigzag(try reader.varint())
        let offset = unzigzag(try reader.varint())
        guard let offset32 = Int32(exactly: offset) else { throw DecodingError(description: "UTC offset out of range") }
        var optionals: [String?] = []
        for _ in 0..<6 {
            optionals.append(try reader.byte() == 1 ? try reader.string() : nil)
        }
        let actionType = try reader.string()
        let outcomeText = try reader.string()
        guard let outcome = Outcome(rawValue: outcomeText) else { throw DecodingError(description: "unknown outcome \(outcomeText)") }
        let resource = Resource(type: try reader.string(), name: try reader.string())
        let application = Application(name: try reader.string(), component: try reader.string(), host: try reader.string())
        let count = try reader.varint()
        guard count <= UInt64(bytes.count) else { throw DecodingError(description: "attribute count out of range") }
        var pairs: [(String, String)] = []
        pairs.reserveCapacity(Int(count))
        for _ in 0..<count { pairs.append((try reader.string(), try reader.string())) }
        guard reader.offset == bytes.count else { throw DecodingError(description: "\(bytes.count - reader.offset) bytes after the event") }
        return AuditEvent(
            id: id, time: EventTime(nanosecondsSinceEpoch: nanoseconds, utcOffsetSeconds: offset32),
            actor: Actor(id: optionals[0], name: optionals[1], proxyUser: optionals[2], clientIP: optionals[3],
                         authMethod: optionals[4], session: optionals[5]),
            action: Action(type: actionType, outcome: outcome), resource: resource, application: application,
            attributes: Attributes(pairs))
    }

    private static func zigzag(_ value: Int64) -> UInt64 { UInt64(bitPattern: (value << 1) ^ (value >> 63)) }
    private static func unzigzag(_ value: UInt64) -> Int64 { Int64(bitPattern: value >> 1) ^ -Int64(bitPattern: value & 1) }

    private static func appendVarint(_ value: UInt64, _ out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    private static func appendString(_ text: String, _ out: inout [UInt8]) {
        var text = text
        text.withUTF8 { utf8 in
            appendVarint(UInt64(utf8.count), &out)
            out.append(contentsOf: utf8)
        }
    }

    private struct Reader {
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func byte() throws -> UInt8 {
            guard offset < bytes.count else { throw DecodingError(description: "record ends early") }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func varint() throws -> UInt64 {
            var value: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let next = try byte()
                guard shift < 64 else { throw DecodingError(description: "integer too long") }
                value |= UInt64(next & 0x7F) << shift
                if next < 0x80 { return value }
                shift += 7
            }
        }

        mutating func string() throws -> String {
            let length = try varint()
            guard length <= UInt64(bytes.count - offset) else { throw DecodingError(description: "string runs past the record") }
            let start = offset
            offset += Int(length)
            return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<offset]), as: UTF8.self)
        }
    }
}
