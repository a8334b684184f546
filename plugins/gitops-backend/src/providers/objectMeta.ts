/**
 * The parts of a Kubernetes object's metadata (`ObjectMeta`) the providers
 * read, Argo CD's Applications and Flux's objects alike. Every field is
 * optional and a time is its wire string, as the APIs answer.
 */
export interface ObjectMeta {
  name?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
  ownerReferences?: Array<{
    apiVersion?: string;
    kind?: string;
    name?: string;
    uid?: string;
  }>;
}
