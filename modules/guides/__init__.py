"""guides module: tour-guide archive: guides, licences, certificates, public licence look-up."""
