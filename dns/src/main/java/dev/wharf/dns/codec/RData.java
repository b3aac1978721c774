package dev.wharf.dns.codec;

import java.util.List;
import java.util.Objects;

/**
 * The data of a resource record, one record type per kind; a type this codec does not know is kept
 * as {@link Unknown} octets (RFC 3597). {@link #toText()} writes it as dig does.
 *
 * <p>Immutable; any thread.
 */
public sealed interface RData
    permits RData.A,
        RData.Aaaa,
        RData.Target,
        RData.Soa,
        RData.Mx,
        RData.Txt,
        RData.Srv,
        RData.Caa,
        RData.Svcb,
        RData.Opt,
        RData.Unknown {

  /** The data in presentation format, as in a zone file and dig's answer section. */
  String toText();

  /** An IPv4 address (RFC 1035 §3.4.1). */
  record A(Octets address) implements RData {
    public A {
      if (address.length() != 4) {
        throw new IllegalArgumentException("an A record holds 4 octets");
      }
    }

    @Override
    public String toText() {
      return Presentation.ipv4(address.unsafe(), 0);
    }
  }

  /** An IPv6 address (RFC 3596 §2.2). */
  record Aaaa(Octets address) implements RData {
    public Aaaa {
      if (address.length() != 16) {
        throw new IllegalArgumentException("an AAAA record holds 16 octets");
      }
    }

    @Override
    public String toText() {
      return dev.wharf.core.Addresses.ipv6(address.unsafe());
    }
  }

  /** One domain name: the data of CNAME, NS and PTR (RFC 1035 §3.3.1, §3.3.11, §3.3.12). */
  record Target(DnsName name) implements RData {
    public Target {
      Objects.requireNonNull(name);
    }

    @Override
    public String toText() {
      return name.toString();
    }
  }

  /** Start of authority (RFC 1035 §3.3.13). */
  record Soa(
      DnsName mname,
      DnsName rname,
      long serial,
      long refresh,
      long retry,
      long expire,
      long minimum)
      implements RData {
    @Override
    public String toText() {
      return mname + " " + rname + " " + serial + " " + refresh + " " + retry + " " + expire + " "
          + minimum;
    }
  }

  /** Mail exchange (RFC 1035 §3.3.9). */
  record Mx(int preference, DnsName exchange) implements RData {
    @Override
    public String toText() {
      return preference + " " + exchange;
    }
  }

  /** Text: one or more character-strings (RFC 1035 §3.3.14). */
  record Txt(List<Octets> strings) implements RData {
    public Txt {
      strings = List.copyOf(strings);
      if (strings.isEmpty()) {
        throw new IllegalArgumentException("a TXT record holds at least one string");
      }
      for (Octets s : strings) {
        if (s.length() > 255) {
          throw new IllegalArgumentException("a character-string holds at most 255 octets");
        }
      }
    }

    @Override
    public String toText() {
      var out = new StringBuilder();
      for (Octets s : strings) {
        out.append(out.isEmpty() ? "" : " ").append(Presentation.quoted(s));
      }
      return out.toString();
    }
  }

  /** Service location (RFC 2782). */
  record Srv(int priority, int weight, int port, DnsName target) implements RData {
    @Override
    public String toText() {
      return priority + " " + weight + " " + port + " " + target;
    }
  }

  /** Certification authority authorization (RFC 8659 §4.1). */
  record Caa(int flags, Octets tag, Octets value) implements RData {
    @Override
    public String toText() {
      return flags + " " + Presentation.escaped(tag, "") + " " + Presentation.quoted(value);
    }
  }

  /**
   * Service binding, the data of SVCB and HTTPS (RFC 9460 §2.2): priority, target and parameters
   * kept as octets, printed as dig prints them.
   */
  record Svcb(int priority, DnsName target, List<SvcParam> params) implements RData {
    public Svcb {
      params = List.copyOf(params);
    }

    @Override
    public String toText() {
      var out = new StringBuilder().append(priority).append(' ').append(target);
      for (SvcParam param : params) {
        out.append(' ').append(param.toText());
      }
      return out.toString();
    }
  }

  /** EDNS(0)'s options, the data of the OPT pseudo-record (RFC 6891 §6.1.2). */
  record Opt(List<EdnsOption> options) implements RData {
    public Opt {
      options = List.copyOf(options);
    }

    @Override
    public String toText() {
      var out = new StringBuilder();
      for (EdnsOption option : options) {
        out.append(out.isEmpty() ? "" : " ").append(option.toText());
      }
      return out.toString();
    }
  }

  /** Data of a type this codec does not parse, printed as RFC 3597 §5 says. */
  record Unknown(Octets data) implements RData {
    @Override
    public String toText() {
      if (data.length() == 0) {
        return "\\# 0";
      }
      // dig splits the hexadecimal into words of 28 octets.
      var out = new StringBuilder("\\# ").append(data.length());
      String hex = data.hex();
      for (int i = 0; i < hex.length(); i += 56) {
        out.append(' ').append(hex, i, Math.min(hex.length(), i + 56));
      }
      return out.toString();
    }
  }
}
