// Test-only certificates (never used outside tests): two self-signed EC P-256 pairs for beacon.test
// and 127.0.0.1, valid until 2126, told apart by their serials (A1, B2). Made with
// `openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 36500 -subj /CN=beacon.test
//  -addext subjectAltName=DNS:beacon.test,IP:127.0.0.1 -set_serial 0xA1` (0xB2 for the second).

export interface TestPair {
  readonly certPem: string;
  readonly keyPem: string;
  /** As X509Certificate#serialNumber and tls' getPeerCertificate().serialNumber print it. */
  readonly serial: string;
}

export const PAIR_A: TestPair = {
  certPem: `-----BEGIN CERTIFICATE-----
MIIBjzCCATWgAwIBAgICAKEwCgYIKoZIzj0EAwIwFjEUMBIGA1UEAwwLYmVhY29u
LnRlc3QwIBcNMjYxMjA4MDAwMzMwWhgPMjEyNjExMTQwMDAzMzBaMBYxFDASBgNV
BAMMC2JlYWNvbi50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE2LoDozJz
SqEkL2eZ/SQwZTA76hnIgTTcajUQUPOLQZCVy2MmLGoEuWJG9+zH6UzanjX2HBwI
ULqum6JbvX0m/qNxMG8wHQYDVR0OBBYEFOHPiJNJR8SF4eTY55MxPDEYY8D3MB8G
A1UdIwQYMBaAFOHPiJNJR8SF4eTY55MxPDEYY8D3MA8GA1UdEwEB/wQFMAMBAf8w
HAYDVR0RBBUwE4ILYmVhY29uLnRlc3SHBH8AAAEwCgYIKoZIzj0EAwIDSAAwRQIh
AIZNYjoc81pr1s89g3N8g468+XkY6taLdoTJdEgBmtjIAiB+UMxxpltAwsqT0nUt
Yu6geK15d+MbwN7O7eWUg8vZoA==
-----END CERTIFICATE-----
`,
  keyPem: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg7L6t9N5sGatr+68u
CKj8Lvn1Ndohw2ntvx0ln7JsHCWhRANCAATYugOjMnNKoSQvZ5n9JDBlMDvqGciB
NNxqNRBQ84tBkJXLYyYsagS5Ykb37MfpTNqeNfYcHAhQuq6bolu9fSb+
-----END PRIVATE KEY-----
`,
  serial: "A1",
};

export const PAIR_B: TestPair = {
  certPem: `-----BEGIN CERTIFICATE-----
MIIBjjCCATWgAwIBAgICALIwCgYIKoZIzj0EAwIwFjEUMBIGA1UEAwwLYmVhY29u
LnRlc3QwIBcNMjYxMjA4MDAwMzMwWhgPMjEyNjExMTQwMDAzMzBaMBYxFDASBgNV
BAMMC2JlYWNvbi50ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEID2gkmW8
/zFJZHzQK4AZaD/+tdNxOZ4MCED8nGDAlDPtc3ksGiL9AAoaYQTlJbRDyZYVs43L
XMjcbw9KNP/QQaNxMG8wHQYDVR0OBBYEFE9GN+V2ykIUYlECUbaV1DwcXoCgMB8G
A1UdIwQYMBaAFE9GN+V2ykIUYlECUbaV1DwcXoCgMA8GA1UdEwEB/wQFMAMBAf8w
HAYDVR0RBBUwE4ILYmVhY29uLnRlc3SHBH8AAAEwCgYIKoZIzj0EAwIDRwAwRAIg
Bd1JHOcNdBdBs0Kz8VaOmQMihQZFAyyXRUIddCSLOZECIGyGMKeLdNSzLohS9FUU
3puGk7aVSUiWWeuTxsfREOY3
-----END CERTIFICATE-----
`,
  keyPem: `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg+rLaJdRq2hsi2LYX
vUL+doCi0RdlqYJD7FYenZwmdQ6hRANCAAQgPaCSZbz/MUlkfNArgBloP/6103E5
ngwIQPycYMCUM+1zeSwaIv0AChphBOUltEPJlhWzjctcyNxvD0o0/9BB
-----END PRIVATE KEY-----
`,
  serial: "B2",
};
