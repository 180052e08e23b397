// A private CA and a server certificate it signed for 127.0.0.1, made with the openssl command
// (EC keys: fast to make), and the redis-server arguments that serve TLS with them.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface TlsFiles {
  ca: string;
  cert: string;
  key: string;
}

/** Writes the CA and the server's certificate and key into `dir`. */
export function makeCertificates(dir: string): TlsFiles {
  const at = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  openssl(
    "req",
    "-x509",
    ...ec,
    "-keyout",
    at("ca.key"),
    "-out",
    at("ca.pem"),
    "-days",
    "1",
    "-subj",
    "/CN=test-ca",
  );
  openssl("req", ...ec, "-keyout", at("server.key"), "-out", at("server.csr"), "-subj", "/CN=127.0.0.1");
  writeFileSync(at("san.ext"), "subjectAltName=IP:127.0.0.1\n");
  const sign = ["-CA", at("ca.pem"), "-CAkey", at("ca.key"), "-CAcreateserial", "-days", "1"];
  openssl(
    "x509",
    "-req",
    "-in",
    at("server.csr"),
    ...sign,
    "-out",
    at("server.pem"),
    "-extfile",
    at("san.ext"),
  );
  return { ca: at("ca.pem"), cert: at("server.pem"), key: at("server.key") };
}

/** redis-server's arguments for TLS on `tlsPort` (clients need no certificate of their own). */
export function tlsServerArgs(files: TlsFiles, tlsPort: number): string[] {
  return [
    ["--tls-port", String(tlsPort)],
    ["--tls-cert-file", files.cert],
    ["--tls-key-file", files.key],
    ["--tls-ca-cert-file", files.ca],
    ["--tls-auth-clients", "no"],
  ].flat();
}
