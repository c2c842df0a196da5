/** Identity and access: organizations, projects, subjects, roles, bindings, and the in-memory authorizer. */
package dev.tollgate.iam;
