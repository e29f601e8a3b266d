import { validate as hpa } from "kubernetes-models/_schemas/IoK8sApiAutoscalingV2HorizontalPodAutoscaler";
import { validate as daemonSet } from "kubernetes-models/_schemas/IoK8sApiAppsV1DaemonSet";
import { validate as deployment } from "kubernetes-models/_schemas/IoK8sApiAppsV1Deployment";
import { validate as statefulSet } from "kubernetes-models/_schemas/IoK8sApiAppsV1StatefulSet";
import { validate as cronJob } from "kubernetes-models/_schemas/IoK8sApiBatchV1CronJob";
import { validate as job } from "kubernetes-models/_schemas/IoK8sApiBatchV1Job";
import { validate as configMap } from "kubernetes-models/_schemas/IoK8sApiCoreV1ConfigMap";
import { validate as namespace } from "kubernetes-models/_schemas/IoK8sApiCoreV1Namespace";
import { validate as pvc } from "kubernetes-models/_schemas/IoK8sApiCoreV1PersistentVolumeClaim";
import { validate as pod } from "kubernetes-models/_schemas/IoK8sApiCoreV1Pod";
import { validate as secret } from "kubernetes-models/_schemas/IoK8sApiCoreV1Secret";
import { validate as service } from "kubernetes-models/_schemas/IoK8sApiCoreV1Service";
import { validate as serviceAccount } from "kubernetes-models/_schemas/IoK8sApiCoreV1ServiceAccount";
import { validate as ingress } from "kubernetes-models/_schemas/IoK8sApiNetworkingV1Ingress";
import { validate as networkPolicy } from "kubernetes-models/_schemas/IoK8sApiNetworkingV1NetworkPolicy";
import { validate as pdb } from "kubernetes-models/_schemas/IoK8sApiPolicyV1PodDisruptionBudget";
import { validate as clusterRole } from "kubernetes-models/_schemas/IoK8sApiRbacV1ClusterRole";
import { validate as clusterRoleBinding } from "kubernetes-models/_schemas/IoK8sApiRbacV1ClusterRoleBinding";
import { validate as role } from "kubernetes-models/_schemas/IoK8sApiRbacV1Role";
import { validate as roleBinding } from "kubernetes-models/_schemas/IoK8sApiRbacV1RoleBinding";

/** What the precompiled (ajv standalone) validators leave on themselves after a failed call. */
export type SchemaError = { instancePath: string; keyword: string; params: Record<string, unknown>; message?: string };
export type SchemaValidate = ((data: unknown) => boolean) & { errors?: SchemaError[] | null };

/**
 * Kubernetes' own OpenAPI schemas, compiled ahead of time by kubernetes-models. Imported statically so
 * the check stays synchronous; only the kinds a generated app uses are listed, to keep the Worker bundle small.
 */
const SCHEMAS: Record<string, SchemaValidate> = {
  "apps/v1/Deployment": deployment,
  "apps/v1/StatefulSet": statefulSet,
  "apps/v1/DaemonSet": daemonSet,
  "batch/v1/Job": job,
  "batch/v1/CronJob": cronJob,
  "v1/Pod": pod,
  "v1/Service": service,
  "v1/ConfigMap": configMap,
  "v1/Secret": secret,
  "v1/Namespace": namespace,
  "v1/ServiceAccount": serviceAccount,
  "v1/PersistentVolumeClaim": pvc,
  "networking.k8s.io/v1/Ingress": ingress,
  "networking.k8s.io/v1/NetworkPolicy": networkPolicy,
  "policy/v1/PodDisruptionBudget": pdb,
  "autoscaling/v2/HorizontalPodAutoscaler": hpa,
  "rbac.authorization.k8s.io/v1/Role": role,
  "rbac.authorization.k8s.io/v1/RoleBinding": roleBinding,
  "rbac.authorization.k8s.io/v1/ClusterRole": clusterRole,
  "rbac.authorization.k8s.io/v1/ClusterRoleBinding": clusterRoleBinding,
};

export function schemaFor(apiVersion: string, kind: string): SchemaValidate | undefined {
  return SCHEMAS[`${apiVersion}/${kind}`];
}

/** The apiVersion(s) a known kind is served under, for "Deployment is apps/v1, not v1". */
export function apiVersionsOf(kind: string): string[] {
  return Object.keys(SCHEMAS)
    .filter((k) => k.endsWith(`/${kind}`))
    .map((k) => k.slice(0, -kind.length - 1));
}

export const KNOWN_KINDS = [...new Set(Object.keys(SCHEMAS).map((k) => k.slice(k.lastIndexOf("/") + 1)))];
