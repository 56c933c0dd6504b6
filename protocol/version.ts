/** The protocol version every wire body carries (`"protocol": 1`). */
export const PROTOCOL_VERSION = 1;
