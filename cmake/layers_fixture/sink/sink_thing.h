#pragma once
struct SinkThing {};
