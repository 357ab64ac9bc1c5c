/// How a `ProtonSender` connects, authenticates and sends.
public struct ProtonSenderConfiguration: Sendable {
    /// Tried in turn (failover); after a whole round fails, the next round waits (backoff).
    public var urls: [ProtonURL]
    /// The target address: RabbitMQ `/amq/queue/NAME`, ActiveMQ `queue://NAME` or `NAME`.
    public var address: String
    /// SASL user and password; nil user means ANONYMOUS (or EXTERNAL with a client certificate).
    public var username: String?
    public var password: String?
    /// SASL mechanisms offered, e.g. ["PLAIN"]; empty lets proton choose among what it has.
    public var saslMechanisms: [String]
    /// Allow PLAIN over a connection without TLS (sends the password in clear). Off unless asked.
    public var allowInsecureMechanisms: Bool
    public var tls: TLS
    /// Most deliveries sent and not yet settled.
    public var window: Int
    /// Limit for TCP connect + TLS + SASL + open + attach.
    public var openTimeoutMilliseconds: Int
    /// Limit for a sent message to be settled by the broker; beyond it the connection is dropped and
    /// the messages fail (to be sent again).
    public var settleTimeoutMilliseconds: Int
    /// Milliseconds to wait after `round` (0-based) whole rounds of attempts failed, and before
    /// reconnecting to a single URL after a ready connection was lost (round 0). The caller passes
    /// its retry policy in (the AMQP sink passes the core's `Backoff`), so this wrapper keeps none of
    /// its own. Called on the proton thread: keep it quick and free of locks.
    public var reconnectDelay: @Sendable (_ round: Int) -> Int
    /// The AMQP container id (shows in the broker's connection list).
    public var containerID: String
    /// Before sending, attach a receiving link with no credit to `address` to prove it exists.
    /// RabbitMQ 3.10 accepts (and drops) messages sent to a missing `/amq/queue/NAME`, while a
    /// receiving link to it is never attached: the check turns that silent loss into an error. The
    /// user needs read permission on the address; the link takes no messages.
    public var checkAddress: Bool

    public struct TLS: Sendable {
        /// PEM file of the CAs to trust; nil trusts the system's store.
        public var caFile: String?
        /// Check that the certificate names the host connected to. On by default.
        public var verifyPeerName: Bool
        public var certFile: String?
        public var keyFile: String?
        public var keyPassword: String?

        public init(caFile: String? = nil, verifyPeerName: Bool = true, certFile: String? = nil,
                    keyFile: String? = nil, keyPassword: String? = nil) {
            self.caFile = caFile
            self.verifyPeerName = verifyPeerName
            self.certFile = certFile
            self.keyFile = keyFile
            self.keyPassword = keyPassword
        }
    }

    public init(urls: [ProtonURL], address: String, username: String? = nil, password: String? = nil,
                saslMechanisms: [String] = [], allowInsecureMechanisms: Bool = false, tls: TLS = TLS(),
                window: Int = 256, openTimeoutMilliseconds: Int = 10_000, settleTimeoutMilliseconds: Int = 30_000,
                reconnectDelay: @escaping @Sendable (_ round: Int) -> Int = { _ in 1_000 },
                containerID: String = "collector", checkAddress: Bool = true) {
        self.urls = urls
        self.address = address
        self.username = username
        self.password = password
        self.saslMechanisms = saslMechanisms
        self.allowInsecureMechanisms = allowInsecureMechanisms
        self.tls = tls
        self.window = window
        self.openTimeoutMilliseconds = openTimeoutMilliseconds
        self.settleTimeoutMilliseconds = settleTimeoutMilliseconds
        self.reconnectDelay = reconnectDelay
        self.containerID = containerID
        self.checkAddress = checkAddress
    }
}
