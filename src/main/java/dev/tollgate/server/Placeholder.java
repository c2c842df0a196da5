package dev.tollgate.server;
class Placeholder {}
