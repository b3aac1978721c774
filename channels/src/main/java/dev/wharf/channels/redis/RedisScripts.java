package dev.wharf.channels.redis;

/**
 * The Lua scripts the Redis broker runs. Each runs atomically on the server (Redis runs one script
 * at a time), which is what makes offsets consecutive across nodes and publication order on pub/sub
 * the offset order. Times are the server's ({@code TIME}), so nodes' clocks need not agree.
 *
 * <p>Keys of channel C: {@code wharf:ch:{C}:m} (hash: epoch, offset), {@code wharf:ch:{C}:s}
 * (stream: one entry per kept publication, id {@code OFFSET-0}, fields t = ms, d = data), {@code
 * wharf:ch:{C}:p} (sorted set of present clients, scored by when they expire); pub/sub channel
 * {@code wharf:ch:{C}} carries {@code P epoch offset data}, {@code J client user} and {@code L
 * client user}.
 */
final class RedisScripts {
  private RedisScripts() {}

  /** Redis's clock in milliseconds, as a Lua local {@code now}. */
  private static final String NOW =
      "local t = redis.call('TIME')\n"
          + "local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)\n";

  /**
   * The channel's epoch, created when the hash is missing: a channel never used, or whose state
   * Redis lost (restarted without persistence, or expired). A new epoch starts at offset 0 with an
   * empty stream, so a client holding the old epoch is told it cannot recover.
   */
  private static final String EPOCH =
      "local epoch = redis.call('HGET', KEYS[1], 'epoch')\n"
          + "if not epoch then\n"
          + "  epoch = ARGV[1]\n"
          + "  redis.call('HSET', KEYS[1], 'epoch', epoch, 'offset', 0)\n"
          + "  redis.call('DEL', KEYS[2])\n"
          + "end\n";

  /**
   * KEYS: meta, stream. ARGV: new epoch, data, max entries, history ttl ms, channel state ttl ms,
   * pub/sub channel. Returns {epoch, offset}.
   */
  static final String PUBLISH =
      NOW
          + EPOCH
          + "local offset = redis.call('HINCRBY', KEYS[1], 'offset', 1)\n"
          + "redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[3], offset .. '-0', 't', now, 'd',"
          + " ARGV[2])\n"
          + "redis.call('PEXPIRE', KEYS[2], ARGV[4])\n"
          + "redis.call('PEXPIRE', KEYS[1], ARGV[5])\n"
          + "redis.call('PUBLISH', ARGV[6], 'P ' .. epoch .. ' ' .. offset .. ' ' .. ARGV[2])\n"
          + "return {epoch, offset}\n";

  /**
   * KEYS: meta, stream. ARGV: new epoch, after (-1: the newest), limit, history ttl ms, channel
   * state ttl ms. Drops the entries older than the ttl first. Returns {epoch, top offset, oldest
   * kept offset, id, data, id, data ...}.
   */
  static final String HISTORY =
      NOW
          + EPOCH
          + "redis.call('PEXPIRE', KEYS[1], ARGV[5])\n"
          + "local top = tonumber(redis.call('HGET', KEYS[1], 'offset'))\n"
          + "local oldestTime = now - tonumber(ARGV[4])\n"
          + "local oldest = top + 1\n"
          + "while true do\n"
          + "  local first = redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 1)\n"
          + "  if #first == 0 then break end\n"
          + "  if tonumber(first[1][2][2]) >= oldestTime then\n"
          + "    oldest = tonumber(string.match(first[1][1], '^(%d+)'))\n"
          + "    break\n"
          + "  end\n"
          + "  redis.call('XDEL', KEYS[2], first[1][1])\n"
          + "end\n"
          + "local result = {epoch, top, oldest}\n"
          + "local limit = tonumber(ARGV[3])\n"
          + "if limit > 0 then\n"
          + "  local entries\n"
          + "  if tonumber(ARGV[2]) >= 0 then\n"
          + "    entries = redis.call('XRANGE', KEYS[2], '(' .. ARGV[2] .. '-0', '+', 'COUNT',"
          + " limit)\n"
          + "  else\n"
          + "    entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', limit)\n"
          + "    local n = #entries\n"
          + "    for i = 1, math.floor(n / 2) do\n"
          + "      entries[i], entries[n - i + 1] = entries[n - i + 1], entries[i]\n"
          + "    end\n"
          + "  end\n"
          + "  for _, e in ipairs(entries) do\n"
          + "    table.insert(result, e[1])\n"
          + "    table.insert(result, e[2][4])\n"
          + "  end\n"
          + "end\n"
          + "return result\n";

  /**
   * KEYS: presence. ARGV: member ({@code client user}), ttl ms, pub/sub channel. Adds or refreshes
   * the member; a new one is announced.
   */
  static final String JOIN =
      NOW
          + "local added = redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])\n"
          + "redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))\n"
          + "if added == 1 then redis.call('PUBLISH', ARGV[3], 'J ' .. ARGV[1]) end\n"
          + "return added\n";

  /** KEYS: presence. ARGV: member, pub/sub channel. Removes the member and announces it. */
  static final String LEAVE =
      "local removed = redis.call('ZREM', KEYS[1], ARGV[1])\n"
          + "if removed == 1 then redis.call('PUBLISH', ARGV[2], 'L ' .. ARGV[1]) end\n"
          + "return removed\n";

  /**
   * KEYS: presence. ARGV: pub/sub channel. Removes the members whose node stopped refreshing them
   * (it died or lost Redis) and announces each leave, once: only the script that removes it does.
   */
  static final String REAP =
      NOW
          + "local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. now)\n"
          + "for _, m in ipairs(dead) do\n"
          + "  redis.call('ZREM', KEYS[1], m)\n"
          + "  redis.call('PUBLISH', ARGV[1], 'L ' .. m)\n"
          + "end\n"
          + "return #dead\n";

  /** KEYS: presence. The members not yet expired. */
  static final String PRESENCE = NOW + "return redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')\n";
}
