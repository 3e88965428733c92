package reports

// XLProfilesInMemory lets the tests force the access matrix to stream from
// the database instead of expanding profiles held in memory.
var XLProfilesInMemory = &xlProfilesInMemory
