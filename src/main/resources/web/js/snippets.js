// Ready-to-paste client configuration: Parca agent flags, Parca scraper flags, Kubernetes.

export const TOKEN_FILE = '/var/run/secrets/tollgate/token';

/** host:port of this server's gRPC endpoint (the same port as the console). */
export function storeAddress() {
  const port = location.port || (location.protocol === 'https:' ? '443' : '80');
  return `${location.hostname}:${port}`;
}

const plaintext = () => location.protocol !== 'https:';

export function agentFlags(projectId) {
  return [
    'parca-agent \\',
    `  --remote-store-address=${storeAddress()} \\`,
    `  --remote-store-bearer-token-file=${TOKEN_FILE} \\`,
    ...(plaintext() ? ['  --remote-store-insecure \\'] : []),
    `  --remote-store-grpc-headers=projectID=${projectId}`,
  ].join('\n');
}

// Parca's scraper mode has no flag for gRPC headers (only --bearer-token[-file], --insecure,
// --insecure-skip-verify, --external-label): it cannot send projectID, so its token must be
// bound to the project, which names the project itself.
export function scraperFlags() {
  return [
    'parca --mode=scraper-only --config-path=parca.yaml \\',
    `  --store-address=${storeAddress()} \\`,
    ...(plaintext() ? ['  --insecure \\'] : []),
    `  --bearer-token-file=${TOKEN_FILE}`,
  ].join('\n');
}

/** A Secret holding the token (mounted as a file) and the workload with projectID as an argument. */
export function kubernetes(kind, projectId, token) {
  const agent = kind !== 'scraper';
  const name = agent ? 'parca-agent' : 'parca-scraper';
  const args = agent
    ? [
      `--remote-store-address=${storeAddress()}`,
      `--remote-store-bearer-token-file=${TOKEN_FILE}`,
      ...(plaintext() ? ['--remote-store-insecure'] : []),
      `--remote-store-grpc-headers=projectID=${projectId}`,
    ]
    : [
      '--mode=scraper-only',
      '--config-path=/etc/parca/parca.yaml',
      `--store-address=${storeAddress()}`,
      `--bearer-token-file=${TOKEN_FILE}`,
      ...(plaintext() ? ['--insecure'] : []),
    ];
  return [
    'apiVersion: v1',
    'kind: Secret',
    'metadata:',
    '  name: tollgate-token',
    '  namespace: parca',
    'type: Opaque',
    'stringData:',
    `  token: "${token || '<paste the token here>'}"`,
    '---',
    'apiVersion: apps/v1',
    `kind: ${agent ? 'DaemonSet' : 'Deployment'}`,
    'metadata:',
    `  name: ${name}`,
    '  namespace: parca',
    'spec:',
    '  selector:',
    `    matchLabels: {app: ${name}}`,
    '  template:',
    '    metadata:',
    `      labels: {app: ${name}}`,
    '    spec:',
    ...(agent ? ['      hostPID: true'] : []),
    '      containers:',
    `        - name: ${name}`,
    `          image: ${agent ? 'ghcr.io/parca-dev/parca-agent:latest' : 'ghcr.io/parca-dev/parca:latest'}`,
    ...(agent ? ['          securityContext: {privileged: true}'] : []),
    '          args:',
    ...(agent ? ['            - --node=$(NODE_NAME)'] : []),
    ...args.map((a) => `            - ${a}`),
    ...(agent ? ['          env:', '            - name: NODE_NAME', '              valueFrom: {fieldRef: {fieldPath: spec.nodeName}}'] : []),
    '          volumeMounts:',
    '            - name: tollgate-token',
    '              mountPath: /var/run/secrets/tollgate',
    '              readOnly: true',
    '      volumes:',
    '        - name: tollgate-token',
    '          secret:',
    '            secretName: tollgate-token',
    '            items: [{key: token, path: token}]',
  ].join('\n');
}
