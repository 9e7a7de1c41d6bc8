/**
 * Several reprox replicas on one shared store (PostgreSQL + S3Proxy, started by the tests) behind
 * a real load balancer (nginx), driven by the real apt-get.
 */
package dev.reprox.server.shared;
