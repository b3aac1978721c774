package dev.wharf.packets.decode;

import java.util.Map;

/**
 * An application protocol's fields in a UDP datagram or TCP segment, for {@link PacketJson}: the
 * layer's name ({@code "dns"}, {@code "http"}) and its fields in the order the map gives them, each
 * a number, a boolean, a string, a map of such or a list of them; written after the transport's
 * layer as {@code {"layer":"dns","id":4660,...}}. A map rather than a record: the protocols that
 * give fields live in modules this one does not read, whose records its reflection could not reach.
 *
 * @param layer the name the layer gets in JSON
 * @param fields the layer's fields, in their order (a {@link java.util.LinkedHashMap}, say)
 */
public record PayloadFields(String layer, Map<String, ?> fields) {}
